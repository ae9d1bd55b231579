import { useNavigate } from "react-router";
import { useLogout } from "../api/auth";

export function LogoutButton() {
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <button type="button" className="button ghost" disabled={logout.isPending}
      onClick={() => logout.mutate(undefined, { onSettled: () => navigate("/login", { replace: true }) })}>
      Log out
    </button>
  );
}
