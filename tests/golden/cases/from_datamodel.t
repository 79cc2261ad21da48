# `from datamodel:` gives the dataset's events, newest first, with its fields under plain
# names: user, action and status are the datamodel's ("unknown" when the event has none)
query: | from datamodel:Change.All_Changes | table _time eventName user action status
---
_time,eventName,user,action,status
2024-06-01T08:30:00.000+00:00,DeleteBucket,bob,deleted,success
2024-06-01T08:25:00.000+00:00,RunInstances,alice,created,success
2024-06-01T08:13:00.000+00:00,ModifySnapshotAttribute,unknown,unknown,unknown
2024-06-01T08:10:00.000+00:00,CreateSnapshot,unknown,unknown,unknown
2024-06-01T08:06:00.000+00:00,PutBucketAcl,bob,modified,failure
