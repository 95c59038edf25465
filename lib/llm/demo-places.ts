// Which time zone a question about the time names, for the demo model's
// clock: an IANA name ("Asia/Tokyo"), or a city or country it knows
// ("Tokyo", "the UK"). A place it does not know is reported as such, so the
// demo says plainly that it cannot tell instead of answering in UTC. Every
// scan is linear on user text (docs/SECURITY.md, "Text and regular expressions").

/** Places in one time zone, lower case, to their IANA zone. Countries across several zones are not here. */
const ZONES: Record<string, string> = {
  utc: "UTC",
  gmt: "UTC",
  tokyo: "Asia/Tokyo",
  japan: "Asia/Tokyo",
  osaka: "Asia/Tokyo",
  kyoto: "Asia/Tokyo",
  seoul: "Asia/Seoul",
  korea: "Asia/Seoul",
  "south korea": "Asia/Seoul",
  beijing: "Asia/Shanghai",
  shanghai: "Asia/Shanghai",
  china: "Asia/Shanghai",
  "hong kong": "Asia/Hong_Kong",
  taipei: "Asia/Taipei",
  taiwan: "Asia/Taipei",
  singapore: "Asia/Singapore",
  bangkok: "Asia/Bangkok",
  thailand: "Asia/Bangkok",
  jakarta: "Asia/Jakarta",
  manila: "Asia/Manila",
  philippines: "Asia/Manila",
  delhi: "Asia/Kolkata",
  "new delhi": "Asia/Kolkata",
  mumbai: "Asia/Kolkata",
  bangalore: "Asia/Kolkata",
  bengaluru: "Asia/Kolkata",
  kolkata: "Asia/Kolkata",
  india: "Asia/Kolkata",
  dubai: "Asia/Dubai",
  uae: "Asia/Dubai",
  karachi: "Asia/Karachi",
  pakistan: "Asia/Karachi",
  tehran: "Asia/Tehran",
  iran: "Asia/Tehran",
  "tel aviv": "Asia/Jerusalem",
  jerusalem: "Asia/Jerusalem",
  israel: "Asia/Jerusalem",
  istanbul: "Europe/Istanbul",
  moscow: "Europe/Moscow",
  london: "Europe/London",
  uk: "Europe/London",
  england: "Europe/London",
  britain: "Europe/London",
  "united kingdom": "Europe/London",
  edinburgh: "Europe/London",
  dublin: "Europe/Dublin",
  ireland: "Europe/Dublin",
  lisbon: "Europe/Lisbon",
  portugal: "Europe/Lisbon",
  paris: "Europe/Paris",
  france: "Europe/Paris",
  berlin: "Europe/Berlin",
  munich: "Europe/Berlin",
  germany: "Europe/Berlin",
  madrid: "Europe/Madrid",
  barcelona: "Europe/Madrid",
  spain: "Europe/Madrid",
  rome: "Europe/Rome",
  milan: "Europe/Rome",
  italy: "Europe/Rome",
  amsterdam: "Europe/Amsterdam",
  netherlands: "Europe/Amsterdam",
  brussels: "Europe/Brussels",
  belgium: "Europe/Brussels",
  zurich: "Europe/Zurich",
  geneva: "Europe/Zurich",
  switzerland: "Europe/Zurich",
  vienna: "Europe/Vienna",
  austria: "Europe/Vienna",
  prague: "Europe/Prague",
  warsaw: "Europe/Warsaw",
  poland: "Europe/Warsaw",
  stockholm: "Europe/Stockholm",
  sweden: "Europe/Stockholm",
  oslo: "Europe/Oslo",
  norway: "Europe/Oslo",
  copenhagen: "Europe/Copenhagen",
  denmark: "Europe/Copenhagen",
  helsinki: "Europe/Helsinki",
  finland: "Europe/Helsinki",
  athens: "Europe/Athens",
  greece: "Europe/Athens",
  kyiv: "Europe/Kyiv",
  kiev: "Europe/Kyiv",
  ukraine: "Europe/Kyiv",
  cairo: "Africa/Cairo",
  egypt: "Africa/Cairo",
  lagos: "Africa/Lagos",
  nigeria: "Africa/Lagos",
  nairobi: "Africa/Nairobi",
  kenya: "Africa/Nairobi",
  johannesburg: "Africa/Johannesburg",
  "cape town": "Africa/Johannesburg",
  "south africa": "Africa/Johannesburg",
  "new york": "America/New_York",
  nyc: "America/New_York",
  boston: "America/New_York",
  washington: "America/New_York",
  miami: "America/New_York",
  atlanta: "America/New_York",
  toronto: "America/Toronto",
  montreal: "America/Toronto",
  chicago: "America/Chicago",
  houston: "America/Chicago",
  dallas: "America/Chicago",
  "mexico city": "America/Mexico_City",
  denver: "America/Denver",
  phoenix: "America/Phoenix",
  "los angeles": "America/Los_Angeles",
  "san francisco": "America/Los_Angeles",
  seattle: "America/Los_Angeles",
  "las vegas": "America/Los_Angeles",
  vancouver: "America/Vancouver",
  anchorage: "America/Anchorage",
  honolulu: "Pacific/Honolulu",
  hawaii: "Pacific/Honolulu",
  "são paulo": "America/Sao_Paulo",
  "sao paulo": "America/Sao_Paulo",
  "rio de janeiro": "America/Sao_Paulo",
  "buenos aires": "America/Argentina/Buenos_Aires",
  argentina: "America/Argentina/Buenos_Aires",
  santiago: "America/Santiago",
  chile: "America/Santiago",
  lima: "America/Lima",
  peru: "America/Lima",
  bogota: "America/Bogota",
  bogotá: "America/Bogota",
  colombia: "America/Bogota",
  sydney: "Australia/Sydney",
  melbourne: "Australia/Melbourne",
  brisbane: "Australia/Brisbane",
  perth: "Australia/Perth",
  auckland: "Pacific/Auckland",
  wellington: "Pacific/Auckland",
  "new zealand": "Pacific/Auckland",
};

export type ZoneAsked =
  /** A zone to read the clock in, and how the question named it. */
  | { zone: string; place: string }
  /** A place named after "in" that the demo cannot place in a time zone. */
  | { unknown: string };

const IANA = /\b([A-Z][A-Za-z_]+\/[A-Z][A-Za-z_]+(?:\/[A-Z][A-Za-z_]+)?)\b/;
const TIME = /\btime\b(?!\s+complexity)/i;
// "in Springfield", "in Santa Teresa": up to three capitalized words.
const IN_PLACE = /\bin\s+(\p{Lu}[\p{L}'’-]*(?:\s\p{Lu}[\p{L}'’-]*){0,2})/u;

/**
 * The time zone a question about the time names; undefined when it names
 * none (the clock then reads UTC, and says so).
 */
export function zoneAsked(question: string): ZoneAsked | undefined {
  const iana = IANA.exec(question)?.[1];
  if (iana) return { zone: iana, place: iana };
  const words = question.toLowerCase().match(/[\p{L}]+/gu) ?? [];
  for (let i = 0; i < words.length; i++) {
    for (let n = 3; n >= 1; n--) {
      if (i + n > words.length) continue;
      const place = words.slice(i, i + n).join(" ");
      if (Object.hasOwn(ZONES, place)) return { zone: ZONES[place], place: displayPlace(place) };
    }
  }
  // An unknown place: "in X" in the same sentence as "time".
  const at = TIME.exec(question);
  if (!at) return undefined;
  const rest = question.slice(at.index);
  const end = rest.search(/[?!.\n]/);
  const sentence = (end < 0 ? rest : rest.slice(0, end)).replace(/\s+/g, " ");
  const unknown = IN_PLACE.exec(sentence)?.[1];
  return unknown ? { unknown } : undefined;
}

/** The place as a reply names it: "Tokyo", "New York", "UK". */
function displayPlace(place: string): string {
  if (place.length <= 3) return place.toUpperCase();
  return place.replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase());
}

/** What the demo says when it cannot place the zone: plainly, and how to get a real answer. */
export function unknownPlaceNote(place: string): string {
  return (
    `I'm Tether's demo model, and I don't know the time zone of “${place}”, so I can't tell you the time there. ` +
    "Ask with a major city (Tokyo, London, New York…) or an IANA time zone name such as “Asia/Tokyo”, " +
    "or set `ANTHROPIC_API_KEY` and restart the server to talk to Claude."
  );
}
