export { ScenarioCanvas, type Point, type ScenarioCanvasProps } from "./components/ScenarioCanvas";
export { operationsText, type StepRun } from "./components/ModuleNode";
export { useModuleLabels } from "./api/apps";
export { moduleLabels } from "./catalogue";
export { layoutScenario, type Layout, type LayoutEdge, type LayoutNode } from "./layout";
export { AppIcon } from "./components/AppIcon";
