export { EditorPage, type EditorPageProps } from "./components/EditorPage";
export { FilterEditor } from "./components/FilterEditor";
export { ScenarioSettingsForm } from "./components/ScenarioSettingsForm";
export { ScheduleEditor } from "./components/ScheduleEditor";
export { VersionsPanel } from "./components/VersionsPanel";
export { ScenarioSettingsPage } from "./components/ScenarioSettingsPage";
export { summary as filterSummary, type Filter } from "./filter";
export { diffDefinitions, type DiffLine } from "./diff";
export type { Schedule, Settings } from "./definition";
