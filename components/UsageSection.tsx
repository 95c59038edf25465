// Settings: the user's usage over the last days (docs/API.md "Usage and
// cost"): the totals, a bar per day (its cost, or its tokens when nothing was
// priced), and the days with replies in a table. Server-rendered: no state.
import type { DailyUsage, UsageTotals } from "@/lib/usage/report";
import { formatAmount, formatTokens } from "@/lib/client/usage-format";
import { SettingsCard } from "./SettingsCard";

type Props = { days: DailyUsage[]; total: UsageTotals };

const inputOf = (u: UsageTotals) => u.inputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens;
const costText = (u: UsageTotals) => {
  const priced = u.replies - u.unpricedReplies;
  if (u.replies > 0 && priced === 0) return "unknown";
  const amount = formatAmount(u.cost.amount ?? 0, u.cost.currency);
  return u.unpricedReplies > 0 ? `${amount} + ${u.unpricedReplies} unknown` : amount;
};
const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString("en", { month: "short", day: "numeric", timeZone: "UTC" });

export function UsageSection({ days, total }: Props) {
  const byCost = (total.cost.amount ?? 0) > 0;
  const value = (d: DailyUsage) => (byCost ? (d.cost.amount ?? 0) : inputOf(d) + d.outputTokens);
  const max = Math.max(...days.map(value), 0);
  const active = days.filter((d) => d.replies > 0).reverse();
  const cachedShare = inputOf(total) > 0 ? Math.round((total.cacheReadInputTokens / inputOf(total)) * 100) : 0;
  return (
    <SettingsCard id="usage" title={<>Usage, last {days.length} days</>} testId="usage-section">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 px-4 py-4 sm:grid-cols-4">
        {[
          ["Cost", costText(total)],
          ["Replies", total.replies.toLocaleString("en")],
          ["Input tokens", formatTokens(inputOf(total)), cachedShare ? `${cachedShare} % from the cache` : undefined],
          ["Output tokens", formatTokens(total.outputTokens)],
        ].map(([label, text, note]) => (
          <div key={label} className="min-w-0">
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
            <dd data-testid={`usage-${label!.toLowerCase().replace(/\s+/g, "-")}`} className="mt-0.5 truncate font-medium tabular-nums">
              {text}
            </dd>
            {note && (
              <dd data-testid="usage-cache-share" className="truncate text-xs text-zinc-500 dark:text-zinc-400">
                {note}
              </dd>
            )}
          </div>
        ))}
      </dl>
      <div className="px-4" aria-hidden>
        <div className="flex h-16 items-end gap-px" title={byCost ? "Cost per day" : "Tokens per day"}>
          {days.map((d) => (
            <div key={d.date} className="flex h-full flex-1 items-end" title={`${dayLabel(d.date)}: ${costText(d)}, ${d.replies} replies`}>
              <div
                className={`w-full rounded-sm ${d.replies ? "bg-clay-600" : "bg-zinc-200 dark:bg-zinc-800"}`}
                style={{ height: max > 0 && d.replies ? `${Math.max(6, (value(d) / max) * 100)}%` : "2px" }}
              />
            </div>
          ))}
        </div>
        <div className="mt-1 flex justify-between text-[11px] text-zinc-600 dark:text-zinc-400">
          <span>{dayLabel(days[0].date)}</span>
          <span>today (UTC)</span>
        </div>
      </div>
      {active.length === 0 ? (
        <p className="px-4 py-4 text-sm text-zinc-500 dark:text-zinc-400">No replies in this period.</p>
      ) : (
        <div className="overflow-x-auto px-4 py-4">
          <table className="w-full text-sm tabular-nums" data-testid="usage-days">
            <thead className="text-left text-xs text-zinc-500 dark:text-zinc-400">
              <tr>
                <th className="py-1 pr-3 font-normal">Day</th>
                <th className="py-1 pr-3 text-right font-normal">Replies</th>
                <th className="py-1 pr-3 text-right font-normal">In</th>
                <th className="py-1 pr-3 text-right font-normal">Out</th>
                <th className="py-1 text-right font-normal">Cost</th>
              </tr>
            </thead>
            <tbody>
              {active.map((d) => (
                <tr key={d.date} className="border-t border-zinc-100 dark:border-zinc-800">
                  <td className="py-1.5 pr-3 whitespace-nowrap">{dayLabel(d.date)}</td>
                  <td className="py-1.5 pr-3 text-right">{d.replies}</td>
                  <td className="py-1.5 pr-3 text-right">{formatTokens(inputOf(d))}</td>
                  <td className="py-1.5 pr-3 text-right">{formatTokens(d.outputTokens)}</td>
                  <td className="py-1.5 text-right whitespace-nowrap">{costText(d)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </SettingsCard>
  );
}
