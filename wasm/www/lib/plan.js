// The rotation plan's logic, apart from the DOM so the worker can run it and
// Node can test it: readable labels for the step codes, filtering and paging
// of the steps. Steps are the objects of the package's `plan`
// (rotation-rule.md §2), with `source` added when several files are checked.

/** The step codes in the workflow's order (rotation-rule.md §2.1). */
export const STEP_CODES = [
  'remove_root_key',
  'rotate_both',
  'deactivate_unused_key',
  'update_applications',
  'deactivate_old_key',
  'free_slot',
  'create_new_key',
  'delete_inactive_key',
  'wait_before_delete',
  'schedule_rotation',
  'disable_console_password',
  'enable_user_mfa',
  'enable_root_mfa',
  'stop_root_use',
  'deactivate_extra_key',
  'delete_setup_key',
];

/** How people read each step code. */
export const STEP_LABELS = {
  remove_root_key: "Remove the root user's key",
  rotate_both: 'Rotate both keys',
  deactivate_unused_key: 'Deactivate the unused key',
  update_applications: 'Move applications to the new key',
  deactivate_old_key: 'Deactivate the old key',
  free_slot: 'Free a slot, then create a new key',
  create_new_key: 'Create a new key',
  delete_inactive_key: 'Delete the inactive key',
  wait_before_delete: 'Wait before deleting',
  schedule_rotation: 'Schedule the rotation',
  disable_console_password: 'Remove the unused console password',
  enable_user_mfa: 'Give the console user MFA',
  enable_root_mfa: 'Give the root user MFA',
  stop_root_use: 'Stop using the root user',
  deactivate_extra_key: 'Deactivate the extra active key',
  delete_setup_key: 'Delete the key made at setup',
};

/** A step code as a label; an unknown code as itself. */
export function stepLabel(code) {
  return Object.hasOwn(STEP_LABELS, code) ? STEP_LABELS[code] : String(code);
}

/** How people read a key's role in a step. */
export const ROLE_LABELS = {
  target: 'acted on',
  old: 'old key',
  new: 'new key (leave it)',
  inactive: 'inactive key',
};
