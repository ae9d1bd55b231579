/** The app catalogue of `GET /apps`, as far as the canvas needs it: module labels by key. */

export interface CatalogueModule {
  key: string;
  label: string;
  kind?: string;
}

export interface CatalogueApp {
  key: string;
  label: string;
  modules: CatalogueModule[];
}

/** Module key -> module label ("json.parse" -> "Parse JSON"); entries of an unexpected shape are skipped. */
export function moduleLabels(apps: unknown): Map<string, string> {
  const labels = new Map<string, string>();
  if (!Array.isArray(apps)) return labels;
  for (const app of apps as Partial<CatalogueApp>[]) {
    for (const module of Array.isArray(app?.modules) ? app.modules : []) {
      if (typeof module?.key === "string" && typeof module.label === "string") labels.set(module.key, module.label);
    }
  }
  return labels;
}
