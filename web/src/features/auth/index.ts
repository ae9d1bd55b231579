export { LoginPage } from "./components/LoginPage";
export { SignupPage } from "./components/SignupPage";
export { RequireAuth } from "./components/RequireAuth";
export { LogoutButton } from "./components/LogoutButton";
export { useMe, ME_KEY, endLocalSession } from "./api/auth";
export type { Me } from "./api/auth";
