// Inngest calls this endpoint to sync and to run Tether's jobs (scaled mode).
// Without INNGEST_SIGNING_KEY (or INNGEST_DEV=1) the SDK answers 500.
// Importing it opens nothing: the functions reach the database when they run.
import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT } = serve({ client: inngest, functions });
