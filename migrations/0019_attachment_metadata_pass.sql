-- Until this release, metadata removal kept every byte after a JPEG's first
-- scan. A second picture or a video appended to a photo (multi-picture files,
-- motion photos) was therefore stored with its own EXIF and GPS data.
-- metadata_pass records which removal an attachment went through: the rows
-- stored so far get 1, new rows 2. A background job runs the current removal
-- on the rows with 1 (src/commands/attachment-metadata.ts).
ALTER TABLE attachments ADD COLUMN metadata_pass smallint NOT NULL DEFAULT 1;
ALTER TABLE attachments ALTER COLUMN metadata_pass SET DEFAULT 2;
CREATE INDEX attachments_metadata_pass_idx ON attachments (id) WHERE metadata_pass < 2;
