-- DBA_PROFILES: resource and password limits per profile (all profiles: they are few).
SELECT {{ columns }}
FROM dba_profiles t
