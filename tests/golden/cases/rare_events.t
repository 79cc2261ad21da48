# rare lists the least frequent values first
query: * | rare eventSource
---
eventSource,count,percent
s3.amazonaws.com,3,27.272727
signin.amazonaws.com,3,27.272727
ec2.amazonaws.com,5,45.454545
