export { ConnectionsPage } from "./components/ConnectionsPage";
/** For the editor's module settings: "Add connection" inline, reporting the connection it created. */
export { AddConnectionDialog } from "./components/AddConnectionDialog";
export { ConnectionForm, type ConnectionFormProps } from "./components/ConnectionForm";
export {
  goToAuthorization, useConnections, useConnectionTypes,
  type Connection, type ConnectionType, type CreatedConnection,
} from "./api/connections";
