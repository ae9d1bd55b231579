import { useId } from "react";
import { bytesUsageText, recordsUsageText } from "../usage";
import type { DataStore } from "../api/data-stores";

/** A meter with its words beside it: "Size used" 45 B of 10 MiB used (<1%). */
function UsageMeter({ label, of, value, max, text }: { label: string; of?: string; value: number; max: number; text: string }) {
  const id = useId();
  return (
    <div className="usage">
      <label htmlFor={id} className="usage-label">
        {label}{of && <span className="visually-hidden"> by {of}</span>}
      </label>
      <meter id={id} className="usage-meter" min={0} max={max} value={Math.min(value, max)} low={max * 0.75}
        high={max * 0.9} optimum={0} aria-describedby={`${id}-text`} />
      <span id={`${id}-text`} className="usage-text">{text}</span>
    </div>
  );
}

/** How full a store is: bytes against `max_size_bytes`, records against `max_records`. `of` names the store
 * in the meters' names where several are on one page. */
export function StoreUsage({ store, of }: { store: DataStore; of?: string }) {
  return (
    <div className="usages">
      <UsageMeter label="Size used" of={of} value={store.size_bytes} max={store.max_size_bytes}
        text={bytesUsageText(store.size_bytes, store.max_size_bytes)} />
      <UsageMeter label="Records held" of={of} value={store.record_count} max={store.max_records}
        text={recordsUsageText(store.record_count, store.max_records)} />
    </div>
  );
}
