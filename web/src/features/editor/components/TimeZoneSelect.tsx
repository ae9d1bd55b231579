import { useMemo } from "react";

/** Every IANA zone the browser knows, UTC first; the current value stays listed even when it does not. */
export function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const known = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  const zones = ["UTC", ...known.filter((z) => z !== "UTC")];
  return zones.includes(current) ? zones : [current, ...zones];
}

interface TimeZoneSelectProps {
  id: string;
  value: string;
  onChange: (zone: string) => void;
}

export function TimeZoneSelect({ id, value, onChange }: TimeZoneSelectProps) {
  const zones = useMemo(() => timeZones(value), [value]);
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {zones.map((zone) => <option key={zone} value={zone}>{zone.replace(/_/g, " ")}</option>)}
    </select>
  );
}
