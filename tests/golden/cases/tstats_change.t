# tstats over the CIM Change datamodel: events tagged `change` by the add-on's event types
# (DeleteBucket, RunInstances, CreateSnapshot, PutBucketAcl, and the ModifySnapshotAttribute
# whose raw text holds a `remove` token); fields named All_Changes.*, "unknown" where the
# event has no value (carol's AssumedRole calls have no user; snapshot calls no action)
query: | tstats count values(All_Changes.object_category) as category from datamodel=Change by All_Changes.user All_Changes.action All_Changes.status
---
All_Changes.user,All_Changes.action,All_Changes.status,count,category
alice,created,success,1,instance
bob,deleted,success,1,bucket
bob,modified,failure,1,bucket
unknown,unknown,unknown,2,unknown
