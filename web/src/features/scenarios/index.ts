export { ScenarioListPage } from "./components/ScenarioListPage";
export { useScenario, type Scenario } from "./api/scenarios";
