-- Rota is the only preemptor (issue 12): its task Pods name a Rota-owned copy of their
-- PriorityClass with the same value and preemptionPolicy Never (PriorityClassReconciler, outbox
-- kind 'queue.priority-class', keyed by the original's name). A class that appears, changes its
-- value or policy, or goes away in the mirror has its copy reconciled: the trigger writes the
-- outbox row in the mirror's own transaction (as platform's Outbox.enqueue would: coalesced, due
-- now, NOTIFY at commit), so no writer of the mirror can forget it. The mirror rewrites
-- observed_at on every sync; that alone enqueues nothing.
CREATE FUNCTION queue.priority_classes_reconcile_copy() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO platform.reconcile_outbox AS o (kind, object_key)
  VALUES ('queue.priority-class', CASE WHEN TG_OP = 'DELETE' THEN OLD.name ELSE NEW.name END)
  ON CONFLICT (kind, object_key) DO UPDATE
     SET generation = o.generation + 1, next_attempt_at = now();
  PERFORM pg_notify('rota_reconcile', 'queue.priority-class');
  RETURN NULL;
END $$;

CREATE TRIGGER priority_classes_reconcile_on_insert_or_delete
  AFTER INSERT OR DELETE ON queue.priority_classes
  FOR EACH ROW EXECUTE FUNCTION queue.priority_classes_reconcile_copy();
CREATE TRIGGER priority_classes_reconcile_on_change
  AFTER UPDATE OF value, preemption_policy ON queue.priority_classes
  FOR EACH ROW WHEN (NEW.value IS DISTINCT FROM OLD.value
                     OR NEW.preemption_policy IS DISTINCT FROM OLD.preemption_policy)
  EXECUTE FUNCTION queue.priority_classes_reconcile_copy();

-- The classes mirrored already get their copies now.
INSERT INTO platform.reconcile_outbox AS o (kind, object_key)
SELECT 'queue.priority-class', name FROM queue.priority_classes
ON CONFLICT (kind, object_key) DO UPDATE
   SET generation = o.generation + 1, next_attempt_at = now();
