/** The export file: its name, and saving it without leaving the page. */

/** "scenarist-export-ada-example.com-2026-12-03.json": the account and the day, safe as a file name. */
export function exportFileName(email: string, when: Date): string {
  const who = email.trim().toLowerCase().replace(/@/g, "-").replace(/[^a-z0-9._-]+/g, "_").replace(/^[._-]+/, "");
  const day = when.toISOString().slice(0, 10);
  return `scenarist-export-${who || "account"}-${day}.json`;
}

/** The JSON as the file holds it: indented, one trailing newline. */
export function exportText(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Saves `data` as a JSON file through a temporary link (a blob URL, no inline script). */
export function downloadJson(data: unknown, fileName: string): void {
  const url = URL.createObjectURL(new Blob([exportText(data)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
