import { AccountPage } from "@/components/AccountPage";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in · Tether" };

export default function SignInPage() {
  return <AccountPage mode="sign-in" />;
}
