import Foundation
import LumenAudit
import Testing
