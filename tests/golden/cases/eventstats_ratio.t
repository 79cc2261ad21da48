# eventstats adds group totals to every event
query: eventName=ConsoleLogin | eventstats count as attempts by user | table _time user errorCode attempts
---
_time,user,errorCode,attempts
2024-06-01T08:01:30.000+00:00,bob,failure,2
2024-06-01T08:01:00.000+00:00,bob,failure,2
2024-06-01T08:00:00.000+00:00,alice,success,1
