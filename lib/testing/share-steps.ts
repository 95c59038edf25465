// A shared link's three public routes as a viewer calls them (no session,
// docs/PROTOCOL.md §3.7), for the tests of shared links.
import { call } from "./route-client";
import * as shared from "../../app/api/share/[token]/route";
import * as sharedEvents from "../../app/api/share/[token]/events/route";
import * as sharedStream from "../../app/api/share/[token]/messages/[id]/stream/route";

type Headers = Record<string, string>;

export const view = (token: string, headers: Headers = {}) => call(shared.GET, "GET", `/api/share/${token}`, { params: { token }, headers });
export const viewEvents = (token: string, headers: Headers = {}) => call(sharedEvents.GET, "GET", `/api/share/${token}/events`, { params: { token }, headers });
/** `query`: e.g. "?after=3". */
export const viewStream = (token: string, id: string, headers: Headers = {}, query = "") =>
  call(sharedStream.GET, "GET", `/api/share/${token}/messages/${id}/stream${query}`, { params: { token, id }, headers });
