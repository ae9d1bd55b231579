import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { ErrorAlert } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { ApiError } from "@/lib/errors";
import { usePublicSettings } from "@/lib/public-settings";
import { endedBy, secondsSinceActivity } from "@/lib/session";
import { useLogin, useRememberedEmail } from "../api/auth";
import { AuthForm } from "./AuthForm";

function SessionEnded() {
  const settings = usePublicSettings();
  const [quiet] = useState(() => secondsSinceActivity());
  if (!settings.data) return null;
  const minutes = settings.data.session_idle_minutes;
  if (endedBy(quiet, settings.data.session_idle_seconds) === "elsewhere") {
    return (
      <p role="status" className="notice">
        Your session was ended elsewhere: the password was changed or the session was logged out on another
        device. Please log in again.
      </p>
    );
  }
  return (
    <p role="status" className="notice">
      Your session ended after {minutes} {minutes === 1 ? "minute" : "minutes"} without activity. Please log in again.
    </p>
  );
}

function loginError(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 401) return new Error("Wrong e-mail or password.");
  return error;
}

export function LoginPage() {
  useTitle("Log in");
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const remembered = useRememberedEmail();
  const login = useLogin();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [remember, setRemember] = useState(false);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    if (!touched && remembered.data) {
      setEmail(remembered.data);
      setRemember(true);
    }
  }, [remembered.data, touched]);

  const from = (location.state as { from?: string } | null)?.from ?? "/scenarios";
  const submit = () =>
    login.mutate({ email, password, remember_email: remember }, { onSuccess: () => navigate(from, { replace: true }) });

  return (
    <AuthForm
      title="Log in" submitLabel="Log in" busy={login.isPending} passwordAutocomplete="current-password"
      email={email} password={password}
      onEmail={(value) => { setTouched(true); setEmail(value); }} onPassword={setPassword} onSubmit={submit}
      before={<>
        {params.get("ended") === "idle" && !login.isSuccess && <SessionEnded />}
        {params.get("deleted") === "1" && !login.isSuccess && (
          <p role="status" className="notice">Your account and all its data were deleted.</p>
        )}
        <ErrorAlert error={loginError(login.error)} />
      </>}
      extra={
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          Remember my e-mail
        </label>
      }
      after={
        <p className="auth-links">
          New here? <Link to="/signup">Sign up</Link> · <Link to="/privacy">Privacy policy</Link>
        </p>
      }
    />
  );
}
