import SiyuCore

/// Everything Siyu keeps, behind one value the server and the command line share.
public typealias SiyuStore = WorkspaceRepository & EventRepository & PeopleRepository & AnalyticsRepository & SegmentRepository
    & LabelRepository & AttributeRepository
    & SettingsRepository & UserRepository & JourneyRepository & JourneyRunRepository & OutboxRepository & MessagingRepository
    & StaffTaskRepository & JourneyActivityRepository
