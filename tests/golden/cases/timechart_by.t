# timechart: one row per 10 minutes from the first to the last, a column per eventSource
query: * | timechart span=10m count by eventSource
---
_time,ec2.amazonaws.com,s3.amazonaws.com,signin.amazonaws.com
2024-06-01T08:00:00.000+00:00,0,2,3
2024-06-01T08:10:00.000+00:00,3,0,0
2024-06-01T08:20:00.000+00:00,2,0,0
2024-06-01T08:30:00.000+00:00,0,1,0
