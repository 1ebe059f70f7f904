/** One entry of the /settings menu: its label (locale key) and the button that opens it. */
export interface SettingsSection {
  key: string;
  labelKey: string;
  /** Callback data of the button; the section's composer handles it. */
  callback: string;
}
