import { AccountPage } from "@/components/AccountPage";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign up · Tether" };

export default function SignUpPage() {
  return <AccountPage mode="sign-up" />;
}
