/** The app's icon on a module: a glyph on a disc of the app's colour (by the module key's app part), drawn as
 * inline SVG with presentation attributes (no image request, no inline style); an app without one shows its
 * initial. */

interface Glyph {
  /** Background colour (contrast with white ≥ 4.5:1). */
  color: string;
  /** SVG path data on a 16×16 box, stroked white. */
  path: string;
}

const GLYPHS: Record<string, Glyph> = {
  webhooks: { color: "#4b2bd6", path: "M9 1.5 3.5 9H8l-1 5.5L12.5 7H8z" },
  http: { color: "#0b5cad", path: "M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13M1.5 8h13M8 1.5c-3 3.5-3 9.5 0 13M8 1.5c3 3.5 3 9.5 0 13" },
  email: { color: "#a1331e", path: "M1.5 3.5h13v9h-13zM1.5 3.5 8 9l6.5-5.5" },
  ftp: { color: "#7a5300", path: "M1.5 4h5l1.5 1.5h6.5v7h-13zM8 7.5v4M6 9.5l2 2 2-2" },
  mysql: { color: "#00607a", path: "M2.5 3.5c0-2 11-2 11 0v9c0 2-11 2-11 0zM2.5 3.5c0 2 11 2 11 0M2.5 8c0 2 11 2 11 0" },
  postgres: { color: "#2f5d8a", path: "M2.5 3.5c0-2 11-2 11 0v9c0 2-11 2-11 0zM2.5 3.5c0 2 11 2 11 0M2.5 8c0 2 11 2 11 0" },
  redis: { color: "#b0261c", path: "M8 1.5 14.5 5 8 8.5 1.5 5zM1.5 8 8 11.5 14.5 8M1.5 11 8 14.5 14.5 11" },
  amqp: { color: "#b34700", path: "M1.5 4h9M1.5 8h9M1.5 12h9M12 3l2.5 5-2.5 5" },
  mqtt: { color: "#5c3b99", path: "M3 13a1 1 0 1 0 0-.01M2.5 8.5a5 5 0 0 1 5 5M2.5 4a9.5 9.5 0 0 1 9.5 9.5" },
  json: { color: "#3d5a1e", path: "M6 2C3.5 2 4.5 7 2 8c2.5 1 1.5 6 4 6M10 2c2.5 0 1.5 5 4 6-2.5 1-1.5 6-4 6" },
  csv: { color: "#1b6e3a", path: "M1.5 2.5h13v11h-13zM1.5 6h13M1.5 9.5h13M6 2.5v11M10.5 2.5v11" },
  xml: { color: "#8a2b8f", path: "M5 4 1.5 8 5 12M11 4l3.5 4-3.5 4M9.5 2.5l-3 11" },
  text: { color: "#4a4760", path: "M2.5 3h11M8 3v10.5M5.5 13.5h5" },
  tools: { color: "#6b4d00", path: "M10.5 1.5a3.5 3.5 0 0 0-3.2 4.9L1.8 11.9a1.5 1.5 0 0 0 2.3 2.3l5.5-5.5a3.5 3.5 0 0 0 4.9-3.2l-2.2 2.2-2-.6-.6-2z" },
  flow: { color: "#3a1fb0", path: "M1.5 8h4M5.5 8 10 3.5h4.5M5.5 8l4.5 4.5h4.5M12.5 1.5l2 2-2 2M12.5 10.5l2 2-2 2" },
  datastore: { color: "#00607a", path: "M1.5 3h13v3h-13zM2.5 6h11v7.5h-11zM6 8.5h4" },
  scenarios: { color: "#4b2bd6", path: "M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13M6.5 5v6l5-3z" },
};

/** The app part of a module key ("http.request" -> "http"). */
export function appOf(module: string | null): string {
  return (module ?? "").split(".")[0] ?? "";
}

export function AppIcon({ module, label }: { module: string | null; label: string }) {
  const glyph = GLYPHS[appOf(module)] ?? (module === "router" || module === "if_else" ? GLYPHS.flow : undefined);
  if (!glyph) {
    return <span className="module-icon" aria-hidden="true">{(label.trim()[0] ?? "?").toUpperCase()}</span>;
  }
  return (
    <span className="module-icon app-icon" aria-hidden="true" data-app={appOf(module)}>
      <svg viewBox="-4 -4 24 24" focusable="false">
        <circle cx="8" cy="8" r="12" fill={glyph.color} />
        <path d={glyph.path} fill="none" stroke="#fff" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  );
}
