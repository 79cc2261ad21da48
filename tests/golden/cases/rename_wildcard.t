# rename with a wildcard carries the captured text over
query: eventName=GetObject | rename requestParameters.* as req_* | table eventName req_*
---
eventName,req_Host,req_bucketName,req_key
GetObject,finance-reports.s3.us-east-1.amazonaws.com,finance-reports,2024/q1.xlsx
