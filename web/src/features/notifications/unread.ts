/** Notifications as the navigation and the page say them: pure functions, tested with Vitest. */

export interface NotificationLike {
  unread?: boolean;
}

export function unreadCount(items: readonly NotificationLike[] | undefined): number {
  return (items ?? []).filter((n) => n.unread !== false).length;
}

/** What follows "Notifications" in the navigation link: "" for none, else "2 unread". */
export function unreadText(count: number): string {
  return count > 0 ? `${count} unread` : "";
}

/** A notification's kind for people: "scenario_deactivated" -> "Scenario deactivated". */
export function kindText(kind: string): string {
  const words = kind.replace(/[_.]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "Notice";
}
