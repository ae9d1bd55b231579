export { ScenarioListPage } from "./components/ScenarioListPage";
export { ScenarioDetailPage } from "./components/ScenarioDetailPage";
