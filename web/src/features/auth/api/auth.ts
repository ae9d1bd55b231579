/** Accounts and sessions: who is logged in, log in, sign up, log out, the remembered e-mail. */
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { client, setCsrfToken, unwrap } from "@/lib/api-client";
import { ApiError } from "@/lib/errors";
import { forgetSession, markSessionStarted } from "@/lib/session";

export interface Me {
  id: string;
  email: string;
  /** False for an account made by an e-mailed sign-in link, until it sets a password. */
  has_password: boolean;
}

export const ME_KEY = ["auth", "me"] as const;

/** The logged-in account, or null when there is no session (401). */
export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await unwrap(client.GET("/api/v1/auth/me"));
    setCsrfToken(me.csrf_token ?? null);
    if (me.csrf_token) markSessionStarted(); // a cookie session, however it began (a sign-in link too)
    return { id: me.id, email: me.email, has_password: me.has_password };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: Infinity });
}

/** The e-mail of the remember-e-mail cookie ("" without one). */
export function useRememberedEmail() {
  return useQuery({
    queryKey: ["auth", "remembered"],
    queryFn: async () => {
      const { data, response } = await client.GET("/api/v1/auth/remembered");
      return response.status === 200 && data ? data.email : "";
    },
    staleTime: Infinity,
  });
}

export interface Credentials {
  email: string;
  password: string;
  remember_email: boolean;
}

async function logIn(credentials: Credentials): Promise<void> {
  const answer = await unwrap(client.POST("/api/v1/auth/login", { body: credentials }));
  setCsrfToken(answer.csrf_token);
  markSessionStarted();
}

/** After login: the account is known before the app navigates, so that no page sees the old "no session". */
async function settle(queryClient: QueryClient): Promise<void> {
  queryClient.setQueryData(ME_KEY, await fetchMe());
  await queryClient.invalidateQueries({ queryKey: ["auth", "remembered"] });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: logIn, onSuccess: () => settle(queryClient) });
}

/** Sign up, then log in with the same credentials. */
export function useSignup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: Credentials) => {
      await unwrap(client.POST("/api/v1/auth/register", { body: { email: credentials.email, password: credentials.password } }));
      await logIn(credentials);
    },
    onSuccess: () => settle(queryClient),
  });
}

/** Asks for a sign-in link by e-mail: the answer is the same whether or not the address has an account. */
export function useEmailLink() {
  return useMutation({
    mutationFn: async (email: string) => {
      await unwrap(client.POST("/api/v1/auth/email-link", { body: { email } }));
    },
  });
}

/** Forgets the session in this tab (after logout, or once the account is gone): its token and every cached answer. */
export function endLocalSession(queryClient: QueryClient): void {
  setCsrfToken(null);
  forgetSession();
  queryClient.clear();
  queryClient.setQueryData(ME_KEY, null);
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await unwrap(client.POST("/api/v1/auth/logout"));
    },
    onSettled: () => endLocalSession(queryClient),
  });
}
