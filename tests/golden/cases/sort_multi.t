# sort by two keys, the second descending; missing values last
query: * | sort user -_time | table user _time eventName
---
user,_time,eventName
alice,2024-06-01T08:25:00.000+00:00,RunInstances
alice,2024-06-01T08:20:00.000+00:00,DescribeInstances
alice,2024-06-01T08:05:00.000+00:00,GetObject
alice,2024-06-01T08:00:00.000+00:00,ConsoleLogin
bob,2024-06-01T08:30:00.000+00:00,DeleteBucket
bob,2024-06-01T08:06:00.000+00:00,PutBucketAcl
bob,2024-06-01T08:01:30.000+00:00,ConsoleLogin
bob,2024-06-01T08:01:00.000+00:00,ConsoleLogin
,2024-06-01T08:13:00.000+00:00,ModifySnapshotAttribute
,2024-06-01T08:12:00.000+00:00,ModifySnapshotAttribute
,2024-06-01T08:10:00.000+00:00,CreateSnapshot
