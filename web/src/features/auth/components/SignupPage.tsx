import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { ErrorAlert } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { useSignup } from "../api/auth";
import { AuthForm } from "./AuthForm";

export function SignupPage() {
  useTitle("Sign up");
  const navigate = useNavigate();
  const signup = useSignup();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const submit = () => signup.mutate({ email, password, remember_email: false }, { onSuccess: () => navigate("/scenarios", { replace: true }) });
  return (
    <AuthForm
      title="Create your account" submitLabel="Sign up" busy={signup.isPending} passwordAutocomplete="new-password"
      email={email} password={password} onEmail={setEmail} onPassword={setPassword} onSubmit={submit}
      passwordHint="At least 10 characters."
      before={<ErrorAlert error={signup.error} />}
      after={
        <p className="auth-links">
          Already have an account? <Link to="/login">Log in</Link> · <Link to="/privacy">Privacy policy</Link>
        </p>
      }
    />
  );
}
