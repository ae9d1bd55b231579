export { EditorPage, type EditorPageProps } from "./components/EditorPage";
