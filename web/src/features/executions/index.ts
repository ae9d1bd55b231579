export { IncompleteExecutionsPage } from "./components/IncompleteExecutionsPage";
