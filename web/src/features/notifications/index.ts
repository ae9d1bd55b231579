export { NotificationsPage } from "./components/NotificationsPage";
export { NotificationsLink } from "./components/NotificationsLink";
