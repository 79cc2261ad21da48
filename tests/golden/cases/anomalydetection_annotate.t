# anomalydetection annotates events whose value combination is rare
query: * | anomalydetection eventName action=annotate pthresh=0.1 | search probable_cause=* | table eventName probable_cause probable_cause_freq max_freq log_event_prob
---
eventName,probable_cause,probable_cause_freq,max_freq,log_event_prob
DeleteBucket,eventName,0.09090909090909091,0.09090909090909091,-2.3978952727983707
RunInstances,eventName,0.09090909090909091,0.09090909090909091,-2.3978952727983707
DescribeInstances,eventName,0.09090909090909091,0.09090909090909091,-2.3978952727983707
CreateSnapshot,eventName,0.09090909090909091,0.09090909090909091,-2.3978952727983707
PutBucketAcl,eventName,0.09090909090909091,0.09090909090909091,-2.3978952727983707
GetObject,eventName,0.09090909090909091,0.09090909090909091,-2.3978952727983707
