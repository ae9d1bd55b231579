/** Notifications on the server: the list (and its unread count), mark one or all as read. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import { unreadCount } from "../unread";

export interface Notification {
  id: string;
  kind: string;
  message: string;
  scenario_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
  unread: boolean;
  read_at: string | null;
}

export const NOTIFICATIONS_KEY = ["notifications"] as const;

async function fetchNotifications(): Promise<Notification[]> {
  return (await unwrap(client.GET("/api/v1/notifications"))) as unknown as Notification[];
}

/** Fetched on every visit and after actions, never on a timer (an idle page sends nothing). */
export function useNotifications() {
  return useQuery({ queryKey: NOTIFICATIONS_KEY, queryFn: fetchNotifications, staleTime: 0 });
}

/** The unread count for the navigation link (the same cached list as the page's). */
export function useUnreadCount() {
  return useQuery({ queryKey: NOTIFICATIONS_KEY, queryFn: fetchNotifications, select: unreadCount });
}

function markRead(id: string) {
  return unwrap(client.POST("/api/v1/notifications/{notification_id}/read", {
    params: { path: { notification_id: id } },
  }));
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) await markRead(id);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}
