-- What a change of the form editor did, in a short German sentence
-- („Feld ‚Name‘ in Schritt ‚Halter‘ hinzugefügt“, „JSON-Ansicht
-- gespeichert“, „FIM-Import“), shown in the history beside the action.
-- Rows written before this migration have none.
ALTER TABLE editor_changes ADD COLUMN summary TEXT;
