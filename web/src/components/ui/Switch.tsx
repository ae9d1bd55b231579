interface SwitchProps {
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}

/** An on/off switch: a button with role "switch" named by `label`. While busy it is aria-disabled
 * (not disabled), so that keyboard focus stays on it. */
export function Switch({ label, checked, disabled = false, onChange }: SwitchProps) {
  return (
    <button type="button" role="switch" aria-checked={checked} aria-label={label} aria-disabled={disabled}
      className="switch" onClick={() => { if (!disabled) onChange(!checked); }}>
      <span className="switch-track" aria-hidden="true"><span className="switch-thumb" /></span>
      <span className="switch-text" aria-hidden="true">{checked ? "On" : "Off"}</span>
    </button>
  );
}
