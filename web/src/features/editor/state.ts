/** The editor's one store: the definition's history (undo/redo over every edit), the selection, and the
 * last saved definition (for "Unsaved changes"). Every edit is a pure function on the definition. */
import { useCallback, useMemo, useReducer } from "react";
import type { Definition } from "./model/definition";
import { canRedo, canUndo, record, redo, startHistory, undo, type History } from "./model/history";

interface State {
  history: History<Definition>;
  saved: Definition;
  selected: string | null;
}

type Action =
  | { type: "edit"; change: (d: Definition) => Definition; group: string | null; select?: string | null }
  | { type: "undo" } | { type: "redo" }
  | { type: "select"; id: string | null }
  | { type: "saved"; definition: Definition };

function reduce(state: State, action: Action): State {
  switch (action.type) {
    case "edit": {
      const next = action.change(state.history.present);
      const selected = action.select !== undefined ? action.select : state.selected;
      return { ...state, history: record(state.history, next, action.group), selected };
    }
    case "undo":
      return { ...state, history: undo(state.history) };
    case "redo":
      return { ...state, history: redo(state.history) };
    case "select":
      return { ...state, selected: action.id, history: { ...state.history, group: null } };
    case "saved":
      return { ...state, saved: action.definition };
  }
}

export function useEditorState(initial: Definition) {
  const [state, dispatch] = useReducer(reduce, initial, (d) => ({ history: startHistory(d), saved: d, selected: null }));
  const edit = useCallback((change: (d: Definition) => Definition, group: string | null = null, select?: string | null) =>
    dispatch({ type: "edit", change, group, select }), []);
  const select = useCallback((id: string | null) => dispatch({ type: "select", id }), []);
  const actions = useMemo(() => ({
    edit, select,
    undo: () => dispatch({ type: "undo" }),
    redo: () => dispatch({ type: "redo" }),
    markSaved: (definition: Definition) => dispatch({ type: "saved", definition }),
  }), [edit, select]);
  const definition = state.history.present;
  return {
    definition, selected: state.selected, dirty: definition !== state.saved,
    canUndo: canUndo(state.history), canRedo: canRedo(state.history), ...actions,
  };
}

export type EditorStore = ReturnType<typeof useEditorState>;
