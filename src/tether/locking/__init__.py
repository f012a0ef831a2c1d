"""A project locked: the resolution request a project makes (its requirements under each
fork's conflict selection, with its sources and index pins), the universal resolution
over the index provider, and the lock entries and document made from what the forks
chose. Above the domain packages (it joins project, provider and lock); below commands,
which open the resources and write the file."""
