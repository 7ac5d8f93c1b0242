-- workflow-service owns the "workflow" schema; its tables arrive with the workflow issue's migrations.
COMMENT ON SCHEMA workflow IS 'Weft workflow-service: Workflows, triggers, actions and executions.';
