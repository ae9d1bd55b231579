/** Export and import of a definition as a file. */
import type { Json } from "../model/definition";
import { toYaml } from "../model/yaml";

function fileName(name: string, extension: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "scenario";
  return `${base}.${extension}`;
}

export function download(definition: Json & { name?: unknown }, format: "json" | "yaml"): void {
  const text = format === "json" ? `${JSON.stringify(definition, null, 2)}\n` : toYaml(definition);
  const blob = new Blob([text], { type: format === "json" ? "application/json" : "application/yaml" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName(typeof definition.name === "string" ? definition.name : "scenario", format);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
