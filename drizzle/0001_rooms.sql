CREATE TABLE "room_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"kind" text NOT NULL,
	"participant_id" text NOT NULL,
	"participant_name" text,
	"role" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"data" jsonb
);
--> statement-breakpoint
CREATE INDEX "room_entries_run_idx" ON "room_entries" USING btree ("run_id","id");