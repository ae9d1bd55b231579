export { ExecutionInspector } from "./components/ExecutionInspector";
export { JsonTree } from "./components/JsonTree";
export { useExecution } from "./api/execution";
export { failedStep, operationsOf, stepRuns, type Execution, type ExecutionError, type LogEntry } from "./run-data";
