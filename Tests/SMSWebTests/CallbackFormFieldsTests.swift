import Foundation
import Testing

@testable import SMSWeb
import SMSCore

@Suite("Form fields (application/x-www-form-urlencoded)")
struct CallbackFormFieldsTests {
    @Test("decoding per the WHATWG rules", arguments: [
        ("a=1&b=2", ["a": "1", "b": "2"]),
        ("To=%2B15558675310&Body=Hi+there", ["To": "+15558675310", "Body": "Hi there"]),
        ("answer=NACK%2F0x00000045%2FSubmit+failed", ["answer": "NACK/0x00000045/Submit failed"]),
        ("type=%d&bad=%zz&end=%4", ["type": "%d", "bad": "%zz", "end": "%4"]),
        ("&&flag&x=&=v", ["flag": "", "x": "", "": "v"]),
        ("a=1&a=2", ["a": "1"]),
        ("t=caf%C3%A9+%F0%9F%98%8E", ["t": "café 😎"]),
        ("k=a=b", ["k": "a=b"]),
    ] as [(String, [String: String])])
    func parse(text: String, expected: [String: String]) {
        #expect(FormFields.parse(text) == expected)
    }
}
