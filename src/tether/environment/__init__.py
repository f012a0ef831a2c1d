"""A project's environment against its lock: what the lock selects for an interpreter,
groups and extras (and the memo that lets a no-op sync skip parsing the lock), and the
state file a sync leaves for `tether run`'s fast path. Above the domain packages (it
joins project, lock, install and python); below commands, which create the environment
and apply the plan."""
