// The part of React's hook contract that @aws-amplify/ui-react-ai's useAIConversation relies on, for ONE
// component, so the real hook runs in Node without a DOM (react-dom needs one; react-dom/server never runs
// effects). The contract, from React's hooks reference: hooks keep their state by call order; a state
// setter is stable, takes a value or an updater, and re-renders when the value changed; an effect runs
// after the render whose dependencies changed, after the previous run's cleanup; a ref is one stable
// mutable object; useCallback returns the same function until its dependencies change.
let rendering = null;

function slot(initial) {
  const index = rendering.index++;
  if (!(index in rendering.slots)) {
    rendering.slots[index] = initial();
  }
  return [rendering.slots[index], index];
}

const changed = (previous, next) =>
  previous === undefined || next === undefined || previous.length !== next.length
  || previous.some((value, index) => !Object.is(value, next[index]));

export function useState(initial) {
  const component = rendering;
  const [state] = slot(() => ({ value: typeof initial === 'function' ? initial() : initial }));
  state.set ??= (next) => {
    const value = typeof next === 'function' ? next(state.value) : next;
    if (!Object.is(value, state.value)) {
      state.value = value;
      component.schedule();
    }
  };
  return [state.value, state.set];
}

export function useRef(initial) {
  return slot(() => ({ current: initial }))[0];
}

export function useCallback(callback, dependencies) {
  const [memo] = slot(() => ({}));
  if (changed(memo.dependencies, dependencies)) {
    Object.assign(memo, { callback, dependencies });
  }
  return memo.callback;
}

export function useEffect(effect, dependencies) {
  const [memo, index] = slot(() => ({}));
  if (changed(memo.dependencies, dependencies)) {
    memo.dependencies = dependencies;
    rendering.effects.push({ index, effect });
  }
}

// Renders `hook` as one component; re-renders (once per microtask) after a state change.
export function renderHook(hook) {
  const component = { slots: [], effects: [], index: 0, result: undefined, renders: 0, pending: false };
  const render = () => {
    Object.assign(component, { index: 0, effects: [] });
    rendering = component;
    try {
      component.result = hook();
    } finally {
      rendering = null;
    }
    component.renders += 1;
    for (const { index, effect } of component.effects) {
      const memo = component.slots[index];
      memo.cleanup?.();
      const cleanup = effect();
      memo.cleanup = typeof cleanup === 'function' ? cleanup : undefined;
    }
  };
  component.schedule = () => {
    if (!component.pending) {
      component.pending = true;
      queueMicrotask(() => {
        component.pending = false;
        render();
      });
    }
  };
  render();
  return component;
}

export default { useState, useRef, useCallback, useEffect };
