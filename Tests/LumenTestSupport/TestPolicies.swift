/// Policy fragments the unit tests share.
package enum TestPolicies {
    /// Two OpenAI-shaped targets on closed ports: `local` (on this machine) and `remote`. Tests
    /// put fake backends in their places; interpolate at the start of a line of a policy literal.
    package static let localAndRemoteTargets = """
        targets:
          - name: local
            kind: openai
            local: true
            base_url: http://127.0.0.1:1/v1
            model: local-model
          - name: remote
            kind: openai
            base_url: http://127.0.0.1:2/v1
            model: remote-model
        """
}
