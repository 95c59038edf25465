// The colour theme a browser chose: "system" follows the operating system
// (prefers-color-scheme), "light" and "dark" override it. Kept in a cookie so
// the server renders <html data-theme> with the page (app/layout.tsx): the
// first paint already has the right colours, without a script and without a
// flash. Per browser, like the system's own setting it overrides.
export type ThemeChoice = "system" | "light" | "dark";
export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];
export const THEME_COOKIE = "tether_theme";
const YEAR_S = 365 * 24 * 3600;

/** A cookie's value as a choice: anything unknown (or none) is "system". */
export function parseThemeChoice(value: string | undefined | null): ThemeChoice {
  return value === "light" || value === "dark" ? value : "system";
}

/** What <html data-theme> carries: nothing for "system", so the media query decides. */
export const themeAttribute = (choice: ThemeChoice): "light" | "dark" | undefined => (choice === "system" ? undefined : choice);

/** In the browser: applies the choice to the page at once and remembers it for the next page load. */
export function applyThemeChoice(choice: ThemeChoice): void {
  const attribute = themeAttribute(choice);
  if (attribute) document.documentElement.dataset.theme = attribute;
  else delete document.documentElement.dataset.theme;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = attribute
    ? `${THEME_COOKIE}=${attribute}; Path=/; Max-Age=${YEAR_S}; SameSite=Lax${secure}`
    : `${THEME_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}
