// Scaffolding: the host runner replaces this file with its sources.
