export { DataStoreListPage } from "./components/DataStoreListPage";
export { DataStorePage } from "./components/DataStorePage";
